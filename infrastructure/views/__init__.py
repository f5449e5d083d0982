"""The inline read model: bitemporal status rows, the audit log and catalogues."""
