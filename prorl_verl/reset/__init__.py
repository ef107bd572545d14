"""Reference-policy reset (paper §2.3.1): *when* (:mod:`.policy`), *how* (:mod:`.worker`),
and the trainer that connects them to verl (:mod:`prorl_verl.trainer`)."""
