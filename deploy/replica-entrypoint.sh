#!/bin/sh
# A streaming replica of $PRIMARY_HOST: the first start copies the primary with pg_basebackup -R (as
# tests/support/pgcluster.py does), later starts only run the server. PostgreSQL 15 documentation §27.2.
set -eu
data=/var/lib/postgresql/data
if [ ! -s "$data/PG_VERSION" ]; then
  until pg_isready -h "$PRIMARY_HOST" -U postgres; do sleep 1; done
  pg_basebackup -h "$PRIMARY_HOST" -U postgres -D "$data" -R -X stream
  chmod 0700 "$data"
fi
exec postgres -D "$data" -c hot_standby=on
