//! Table-driven tests of link derivation, validation and planning.
