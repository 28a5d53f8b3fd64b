"""The register's documents: rendering, the seal, issuance, verification, and the verification
code."""
