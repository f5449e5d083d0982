"""The verifiable log: every exported record a leaf of an RFC 9162 Merkle tree, with signed checkpoints."""
