"""Fetching the export files from the vendors' APIs (`sentinel pull`): a stage beside the collectors.

It reads the configuration (each source's `pull:` block) and writes, under the folder of the source's
`path`, one file per UTC day in exactly the shape the source's collector reads; the collectors stay
file-based (the files are the audit trail, hashed in the manifest). `run` drives it, `http` is the client
(retries, errors), `store` the day files and the ledger, and one module per vendor knows its API.
Credentials come only from the environment variables the `pull:` block names and are never written.
"""
