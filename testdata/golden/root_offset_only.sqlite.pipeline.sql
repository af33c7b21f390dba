-- statement 1: branch 0, result columns [1 2 3 4]
SELECT "t0"."id" AS "c0", "t0"."user_id" AS "c1", "t0"."title" AS "c2", "t0"."published" AS "c3"
FROM "posts" AS "t0"
ORDER BY "t0"."id"
LIMIT -1
OFFSET ?
-- arg 1: 0x2
-- statement 2: branch 1, result columns [5 6 7]
WITH "jr_p" AS (SELECT "t0"."id", "t0"."user_id"
    FROM "posts" AS "t0"
    ORDER BY "t0"."id"
    LIMIT -1
    OFFSET ?)
SELECT "t1"."id" AS "c4", "t1"."name" AS "c5", "t1"."email" AS "c6"
FROM "users" AS "t1"
WHERE "t1"."id" IN (SELECT "jr_p"."user_id"
  FROM "jr_p")
-- arg 1: 0x2
