SELECT "t0"."id" AS "c0", "t0"."user_id" AS "c1", "t0"."title" AS "c2", "t0"."published" AS "c3", "t2"."id" AS "c4", "t2"."name" AS "c5", "t1"."added_by" AS "c6"
FROM "posts" AS "t0"
LEFT JOIN ((SELECT "t1".*, ROW_NUMBER() OVER (PARTITION BY "t1"."post_id" ORDER BY "t2"."name" DESC, "t2"."id") AS "jr_rn"
  FROM "post_tags" AS "t1"
  INNER JOIN "tags" AS "t2" ON "t2"."id" = "t1"."tag_id") AS "t1" INNER JOIN "tags" AS "t2" ON "t2"."id" = "t1"."tag_id") ON "t1"."post_id" = "t0"."id" AND "t1"."jr_rn" > ? AND "t1"."jr_rn" <= ?
ORDER BY "t0"."id", "t2"."name" DESC
-- arg 1: 0x0
-- arg 2: 0x1
