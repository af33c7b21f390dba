-- statement 1: branch 0, result columns [1 2 3 4], no keys
SELECT "t0"."id" AS "c0", "t0"."user_id" AS "c1", "t0"."title" AS "c2", "t0"."published" AS "c3"
FROM "posts" AS "t0"
ORDER BY "t0"."id"
-- statement 2: branch 1, result columns [5 6 7 8], no keys
SELECT "t2"."id" AS "c4", "t2"."name" AS "c5", "t1"."added_by" AS "c6", "t1"."post_id" AS "c7"
FROM ((SELECT "t1".*, ROW_NUMBER() OVER (PARTITION BY "t1"."post_id" ORDER BY "t2"."name" DESC, "t2"."id") AS "jr_rn"
  FROM "post_tags" AS "t1"
  INNER JOIN "tags" AS "t2" ON "t2"."id" = "t1"."tag_id"
  WHERE "t1"."post_id" IN (SELECT "t0"."id"
    FROM "posts" AS "t0")) AS "t1" INNER JOIN "tags" AS "t2" ON "t2"."id" = "t1"."tag_id")
WHERE "t1"."jr_rn" > $1 AND "t1"."jr_rn" <= $2
ORDER BY "t2"."name" DESC
-- arg 1: 0x0
-- arg 2: 0x1
