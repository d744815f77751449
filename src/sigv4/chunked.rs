//! The `aws-chunked` body decoder and its chunk and trailer signature chain, as a sans-IO state machine.
