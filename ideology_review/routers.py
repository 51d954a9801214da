"""An optional read replica (DATABASE_REPLICA_URL) for the reads that can
tolerate a replica's lag of a few seconds: the statistics, which read the whole
committee and change nothing.

Nothing goes to the replica by itself. Code opts in around its reads:

    from ideology_review.routers import replica_reads

    with replica_reads():           # or @replica_reads() on a function
        rows = list(queryset)       # evaluate inside: a lazy queryset read
                                    # later goes to the primary

or names the alias itself: `queryset.using(read_alias())`. Without a replica
both are the primary, so the same code runs on a single database (and on SQLite).
"""

import contextvars
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_replica_reads = contextvars.ContextVar("replica_reads", default=False)


def replica_configured():
    return REPLICA in connections.settings


def read_alias():
    """The alias for reads that may lag: the replica when there is one."""
    return REPLICA if replica_configured() else DEFAULT_DB_ALIAS


def reading_replica():
    """Whether reads go to the replica now (inside replica_reads(), with one)."""
    return _replica_reads.get() and replica_configured()


@contextmanager
def replica_reads():
    """Inside, the ORM reads from the replica (when there is one)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    """Installed when DATABASE_REPLICA_URL is set (settings.DATABASE_ROUTERS)."""

    def db_for_read(self, model, **hints):
        if not (_replica_reads.get() and replica_configured()):
            return None  # Django's own choice: the instance's database, else default
        # Inside a transaction a read must see the transaction's own writes,
        # which the replica has not got yet.
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        # Also for an object read from the replica: the replica is read-only.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's schema
