"""Words from facts: the voice rules and lint, the template narrator, the Claude narrator and its verifier."""
