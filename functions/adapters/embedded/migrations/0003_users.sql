-- fallwerk embedded schema, version 3: the user directory. `data` is the User JSON (with the
-- password hash of local accounts); `user_org_units` is the membership index the "assign"
-- choice lists per org unit, rewritten with every put of the user.

CREATE TABLE users (id TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE user_org_units (
    org_unit_id TEXT NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (org_unit_id, user_id)
) WITHOUT ROWID;
CREATE INDEX user_org_units_user ON user_org_units (user_id);
