-- FIX7: roll back apply.sql exactly: the 13 approvals, then the 13 births of
-- TKT-OBJ-495..507. Afterwards the logical hash root equals the one before apply.sql; only the
-- AUTOINCREMENT counters (the `sequences` section, outside the root) remember the apply.
BEGIN;

DELETE FROM os_proposal_approvals
 WHERE object_id BETWEEN 'TKT-OBJ-495' AND 'TKT-OBJ-507'
   AND birth_id BETWEEN 495 AND 507;

DELETE FROM birth_registry
 WHERE object_id BETWEEN 'TKT-OBJ-495' AND 'TKT-OBJ-507';

COMMIT;
