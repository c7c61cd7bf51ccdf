-- FIX7: a deliberately BROKEN rollback, the negative control of the rehearsal. It removes the
-- 13 approvals but forgets the birth of TKT-OBJ-507, so one row is left behind and the
-- logical hash after it must differ from the one before apply.sql. (It leaves a birth, not an
-- orphaned approval, so it runs the same with PRAGMA foreign_keys on.) A validator that
-- passes this file is broken.
BEGIN;

DELETE FROM os_proposal_approvals
 WHERE object_id BETWEEN 'TKT-OBJ-495' AND 'TKT-OBJ-507';

DELETE FROM birth_registry
 WHERE object_id BETWEEN 'TKT-OBJ-495' AND 'TKT-OBJ-506';

COMMIT;
