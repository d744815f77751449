//! Access control decided the way IAM and AWS KMS decide it.
