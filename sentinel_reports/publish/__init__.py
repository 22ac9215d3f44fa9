"""Publishing: the only stage that writes files (site writer, PDF, email, PPTX, status API, feeds)."""
