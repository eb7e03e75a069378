-- Regeneration as a merge: a run may regenerate an earlier succeeded run's branch. Its new
-- generation is merged three-way with the user's edits of that branch (base: the earlier run's
-- own generated commit) onto a new branch in the same repository. A branch records its pure
-- generation commit, the base of the next regeneration, beside the commit it holds (null in
-- rows made before: their commit is their generation).
ALTER TABLE runs ADD COLUMN regenerates uuid REFERENCES runs (id);
ALTER TABLE run_branches
    ADD COLUMN generated_commit_sha text CHECK (generated_commit_sha ~ '^[0-9a-f]{40}([0-9a-f]{24})?$');
-- A regeneration's branch in a run's own bare repository builds on the user's branch.
ALTER TABLE run_branches DROP CONSTRAINT run_branches_check;
