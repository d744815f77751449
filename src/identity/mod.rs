//! Who is calling: principals, credential stores, secrets, caches and temporary credentials.
