// Report parsers.
