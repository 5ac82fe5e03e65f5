"""Prepare Superset's metadata database; run with Superset's own Python (.venv-superset).

In one process (each `superset ...` command pays ~15 s of imports): apply the migrations
(`superset db upgrade`), create the admin user or reset its password to the configured one
(`superset fab create-admin`), and sync roles and permissions (`superset init`). The admin's
name and password come from SUPERSET_ADMIN_USERNAME / SUPERSET_ADMIN_PASSWORD, set by
luckin/superset/server.py from .dlt/secrets.toml.
"""

import os
import sys
from pathlib import Path

import superset
from flask_migrate import upgrade
from superset.app import create_app

app = create_app()
with app.app_context():
    upgrade(directory=str(Path(superset.__file__).parent / "migrations"))
    from superset.extensions import appbuilder, db, security_manager

    username, password = os.environ["SUPERSET_ADMIN_USERNAME"], os.environ["SUPERSET_ADMIN_PASSWORD"]
    appbuilder.add_permissions(update_perms=True)
    security_manager.sync_role_definitions()
    user = security_manager.find_user(username=username)
    if user is None:
        created = security_manager.add_user(username, "Luckin", "Admin", f"{username}@localhost",
                                             security_manager.find_role("Admin"), password=password)
        if not created:
            sys.exit(f"bootstrap: could not create the Superset admin {username!r}")
    else:
        security_manager.reset_password(user.id, password)
    db.session.commit()
print("bootstrap: metadata migrated, admin ready, roles synced")
