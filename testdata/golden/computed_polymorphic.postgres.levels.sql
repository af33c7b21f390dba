-- statement 1: branch 0, result columns [1 2 3 4 5], no keys
SELECT "t0"."id" AS "c0", "t0"."title" AS "c1", (SELECT COUNT(*)
  FROM "p_comments" AS "t1"
  WHERE "t1"."commentable_id" = "t0"."id" AND "t1"."commentable" = $1 AND "t1"."deleted_at" IS NULL) AS "c2", (SELECT COUNT(*)
  FROM ("p_item_tags" AS "t2" INNER JOIN "p_tags" AS "t3" ON "t3"."id" = "t2"."tag_id")
  WHERE "t2"."taggable_id" = "t0"."id" AND "t2"."taggable" = $2) AS "c3", (SELECT COUNT(*)
  FROM ("p_item_tags" AS "t4" INNER JOIN "p_tags" AS "t5" ON "t5"."id" = "t4"."tag_id" AND "t5"."status" = $3)
  WHERE "t4"."taggable_id" = "t0"."id" AND "t4"."taggable" = $4) AS "c4"
FROM "p_posts" AS "t0"
ORDER BY (SELECT COUNT(*)
  FROM ("p_item_tags" AS "t2" INNER JOIN "p_tags" AS "t3" ON "t3"."id" = "t2"."tag_id")
  WHERE "t2"."taggable_id" = "t0"."id" AND "t2"."taggable" = $2) DESC, "t0"."id"
-- arg 1: "post"
-- arg 2: "post"
-- arg 3: "pending"
-- arg 4: "post"
