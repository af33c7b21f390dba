-- statement 1: branch 0, result columns [1 2 3 4]
SELECT "t0"."id" AS "c0", "t0"."user_id" AS "c1", "t0"."title" AS "c2", "t0"."published" AS "c3"
FROM (SELECT "t0"."id", "t0"."user_id", "t0"."title", "t0"."published", "t1"."name" AS "jr_o0"
  FROM "posts" AS "t0"
  LEFT JOIN "users" AS "t1" ON "t1"."id" = "t0"."user_id"
  ORDER BY "jr_o0" DESC, "t0"."id"
  LIMIT $1) AS "t0"
ORDER BY "t0"."jr_o0" DESC, "t0"."id"
-- arg 1: 0x2
-- statement 2: branch 1, result columns [5 6 7]
WITH "jr_p" AS (SELECT "t0"."id", "t0"."user_id", "t1"."name" AS "jr_o0"
    FROM "posts" AS "t0"
    LEFT JOIN "users" AS "t1" ON "t1"."id" = "t0"."user_id"
    ORDER BY "jr_o0" DESC, "t0"."id"
    LIMIT $1)
SELECT "t1"."id" AS "c4", "t1"."name" AS "c5", "t1"."email" AS "c6"
FROM "users" AS "t1"
WHERE "t1"."id" = ANY(ARRAY(SELECT "jr_p"."user_id"
  FROM "jr_p"))
-- arg 1: 0x2
-- statement 3: branch 2, result columns [8 9 10 11]
WITH "jr_p" AS (SELECT "t0"."id", "t0"."user_id", "t1"."name" AS "jr_o0"
    FROM "posts" AS "t0"
    LEFT JOIN "users" AS "t1" ON "t1"."id" = "t0"."user_id"
    ORDER BY "jr_o0" DESC, "t0"."id"
    LIMIT $1)
SELECT "t2"."id" AS "c7", "t2"."post_id" AS "c8", "t2"."author_id" AS "c9", "t2"."body" AS "c10"
FROM "comments" AS "t2"
WHERE "t2"."post_id" = ANY(ARRAY(SELECT "jr_p"."id"
  FROM "jr_p"))
ORDER BY "t2"."id"
-- arg 1: 0x2
