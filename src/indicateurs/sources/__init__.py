"""From producers' files to harmonised tables: fetch (store, mirror, download), derive, load, harmonise."""
