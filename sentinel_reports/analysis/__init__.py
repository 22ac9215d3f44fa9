"""Pure analysis: canonical frames and `as_of` in, frozen results out. No I/O, no clock, no network."""
