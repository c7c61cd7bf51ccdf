-- FIX7: register the births of the reserved objects TKT-OBJ-495..507 (13 rows) and the
-- approval of each one's proposal (13 rows). Rolled back exactly by rollback.sql.
--
-- Deterministic on purpose: a rehearsal applies, rolls back and applies again, and the second
-- apply must give the same logical hash as the first. So every value is a literal or is
-- derived from the database (never random(), never the clock), and ids are explicit: the
-- registry's AUTOINCREMENT counter does not roll back, so an implicit id would differ on the
-- second apply.
--
-- Expects a registry at its ceiling of 494 (examples/fix7/surrogate.toml at any scale).
BEGIN;

INSERT INTO birth_registry
  (id, object_id, status, blueprint_sha256, payload_sha256, fold, born_at, date_created)
VALUES
  (495, 'TKT-OBJ-495', 'born', 'b03380fdf3b2c43a2176dc2c3ee338347235701d484c4f45a1f6f8af3590d686',
   '2770f643c5fb03ae03153227db2f8f0adf2a704d2711a05febdbf393ca46daa0', 462, '2026-06-12T09:00:00Z', '2026-06-12T09:00:00.000Z'),
  (496, 'TKT-OBJ-496', 'born', 'd7c20b7f2f3e8ba5ed05db42aa96e2e01bbdcbf12634b125228a5680cd672cea',
   'e87259110b81e6fa2d97460f9b031009fc88943def26c193ddc2fd939a3ad990', 462, '2026-06-12T09:01:00Z', '2026-06-12T09:01:00.000Z'),
  (497, 'TKT-OBJ-497', 'born', '4cf647a5d724b20d9a9824303b60d2281caffa453a6e698b631ead72f20dc061',
   'a3d7dae9a73a87d906ada643d16f2f8a6b6eca8d3f4c4af6d2f8d0cac0e9fb2c', 462, '2026-06-12T09:02:00Z', '2026-06-12T09:02:00.000Z'),
  (498, 'TKT-OBJ-498', 'born', '02cfcd2fff1c0199c9f9caa053fbe59ac3f32e4de976e32bac5d98ab02d1b52b',
   '36948e8d884c393763c575e079a6693171a738a7a7caba497cd125f31c7a018a', 462, '2026-06-12T09:03:00Z', '2026-06-12T09:03:00.000Z'),
  (499, 'TKT-OBJ-499', 'born', 'c8e5ec0a757e9ac872a56f85dac00a79b3b93d919715a8348a75cd6bec04389c',
   '15ac4bbd963831ace6cf919dca2190da7f4f0d92b60f6c0c6bc5cb7b92148103', 462, '2026-06-12T09:04:00Z', '2026-06-12T09:04:00.000Z'),
  (500, 'TKT-OBJ-500', 'born', 'b963bdf4b43405623b00faae4497f4cb5992bfda8e059e684b144ccbbcd68a5c',
   '849b82746b881615b019f672c7323e3a5fe042dfdab21f4d65da022c1f29a08d', 462, '2026-06-12T09:05:00Z', '2026-06-12T09:05:00.000Z'),
  (501, 'TKT-OBJ-501', 'born', '60191789e67bf4c01e165c20ddcadb8b6b5b51f0d825625868004fe0145a3a70',
   '1671429f1631f7850c1a7470b2c1d381542c60af3772e3fc3539570329d2babf', 462, '2026-06-12T09:06:00Z', '2026-06-12T09:06:00.000Z'),
  (502, 'TKT-OBJ-502', 'born', '85697fb212098e0e80e4f2a171769cd57ac9e99858672e4dbf5e6825a7d8a795',
   'd24dce2f468fb71d0842d089499dfb4e8dc973849263e4ac4f5a9ec5e7dcec9a', 462, '2026-06-12T09:07:00Z', '2026-06-12T09:07:00.000Z'),
  (503, 'TKT-OBJ-503', 'born', '1afc3eb5e6c247c34dedc9dc12ed94d4b1c7917c406b2aa951643fc8e75d2af2',
   '1eca559fb70f239aa9f083e3f78d73f74d14291512742e0a0ed63a5395e2ed03', 462, '2026-06-12T09:08:00Z', '2026-06-12T09:08:00.000Z'),
  (504, 'TKT-OBJ-504', 'born', 'e5d9b40957ac297304320fcc2ec8353c8f6e7341821a3291702847fb84d79256',
   '9d3598efe91b83473508a1d6ff2c59b136c13823a01954b363803180124c3d45', 462, '2026-06-12T09:09:00Z', '2026-06-12T09:09:00.000Z'),
  (505, 'TKT-OBJ-505', 'born', 'a77186ca615ad46cbf22291442948d4f7fcbf47683f9b8f16e9e37fe91bb0243',
   '214e44a0852389812c9b783ddeb6ec7c19ca05bb4cfd1dda788e23665a6c238a', 462, '2026-06-12T09:10:00Z', '2026-06-12T09:10:00.000Z'),
  (506, 'TKT-OBJ-506', 'born', '20f03e01a69e2fde56817c499361dec8d4e418cb4eeec4d72657a79a545f6af4',
   '1c095942bb49151964963ede47b4e18019131e7e1e279c4727d6c5e7313aa7b4', 462, '2026-06-12T09:11:00Z', '2026-06-12T09:11:00.000Z'),
  (507, 'TKT-OBJ-507', 'born', '4b0fec0ac7921f88275c1120592a90511c944969d98b45b9e8672746276856d8',
   '06460cc08ded489febf5dd0316e29cddd7a7add741675f34a8432b711a5157a9', 462, '2026-06-12T09:12:00Z', '2026-06-12T09:12:00.000Z');

-- The registering operator: the first active operator, the same one on every run.
UPDATE birth_registry
   SET user_created = (SELECT id FROM directus_users
                        WHERE role = 'operator' AND status = 'active' ORDER BY id LIMIT 1)
 WHERE object_id BETWEEN 'TKT-OBJ-495' AND 'TKT-OBJ-507';

WITH proposal(birth_id, object_id, proposal_sha256) AS (VALUES
  (495, 'TKT-OBJ-495', '8464374317e1ecd19c7b6bab29336dda05b878191b34acdef846fce1b0a46de1'),
  (496, 'TKT-OBJ-496', '99e9cde8d0c073705fc5f70be1eaa9c47912b26b6defa17b822d452b59fed483'),
  (497, 'TKT-OBJ-497', '4c511b3e7f6bc84a64cd466bb8e07c760af1b70dc0dfab30c20042c0db18448c'),
  (498, 'TKT-OBJ-498', '97021a930f78875052154b4a7ba625d06ad7ae01fbfb912c5324b05196498bc6'),
  (499, 'TKT-OBJ-499', '248cb8273dd3b5a37803a2813fb44e92f762837f39bd36b459e6ba97d8dc68d2'),
  (500, 'TKT-OBJ-500', '2f29ab4e5bf369a8169f56df1dcfceb550ea084ad05d4a8252bd8546d8e7a2aa'),
  (501, 'TKT-OBJ-501', '6e942c5dcd5b067faa3fe578099f09870799f8b27c7ddb1b88177563e8723b8a'),
  (502, 'TKT-OBJ-502', '92c077ae727758661cad3948e0b001b7825bfdab1218d5614b0a68588aa21783'),
  (503, 'TKT-OBJ-503', 'd0d9cf7ce4a67e34f7489c9c0db9f85fcd96cde898cea84e794ec88c174a3845'),
  (504, 'TKT-OBJ-504', '64ffa45412ef48bca67bac4ae7e3ef2b650afa9598f7a1c9b742909ad13d20cd'),
  (505, 'TKT-OBJ-505', '8bfecdc67b20890ebcf232b136ffbb67e6cc576b4ba9475fddebfe6ad513cb3c'),
  (506, 'TKT-OBJ-506', 'bb3ada2f657773025c71a32665f9f29c217588d75c363fac74eb2a85676b6320'),
  (507, 'TKT-OBJ-507', '3a5eae5dcd4d501cf62245fa97bd90c6b987493c91db6873c1e7638f5acd47e6')
),
owner AS (SELECT id, email FROM directus_users ORDER BY role = 'owner' DESC, id LIMIT 1),
base AS (SELECT max(id) AS top FROM os_proposal_approvals)
INSERT INTO os_proposal_approvals
  (id, birth_id, object_id, proposal_sha256, decision, approved_by, approver_email, approved_at,
   user_created, date_created)
SELECT base.top + proposal.birth_id - 494, proposal.birth_id, proposal.object_id,
       proposal.proposal_sha256, 'approved', owner.id, owner.email, '2026-06-12T10:00:00Z',
       owner.id, '2026-06-12T10:00:00.000Z'
  FROM proposal, owner, base
 ORDER BY proposal.birth_id;

COMMIT;
