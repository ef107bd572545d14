"""Entry point of group ``verl.plugins``: ``import verl`` runs this in every process."""
