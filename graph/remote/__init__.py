"""Remote SPARQL stores: the store client, what differs between stores, push."""
