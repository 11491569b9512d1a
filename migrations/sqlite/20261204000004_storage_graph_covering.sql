-- Reading a registry's index as a graph (storage accounting, snapshots, previews of what a
-- deletion frees) walks all its manifests and blobs. Through the (registry_id, digest) keys
-- that was a table lookup per row in digest order, i.e. at random: 100,000 tags took ~550 ms.
-- These cover the reads, in id order.
CREATE INDEX blobs_sizes ON blobs (registry_id, id, size);
CREATE INDEX manifests_sizes ON manifests (registry_id, id, size, total_size);
CREATE INDEX manifest_blobs_cover ON manifest_blobs (manifest_id, position, blob_id);
