// SigV4 presigning and verification.
