SELECT -1 AS "jb", CAST(NULL AS BIGINT) AS "jo", "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", "t1"."id" AS "c3", "t1"."user_id" AS "c4", "t1"."title" AS "c5", "t1"."published" AS "c6", "t2"."id" AS "c7", "t2"."post_id" AS "c8", "t2"."author_id" AS "c9", "t2"."body" AS "c10", "t3"."id" AS "c11", "t3"."name" AS "c12", "t3"."email" AS "c13"
FROM "users" AS "t0" CROSS JOIN "posts" AS "t1" CROSS JOIN "comments" AS "t2" CROSS JOIN "users" AS "t3"
WHERE 1 = 0
UNION ALL
SELECT 0 AS "jb", ROW_NUMBER() OVER (ORDER BY "t0"."id") AS "jo", "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", NULL AS "c3", NULL AS "c4", NULL AS "c5", NULL AS "c6", NULL AS "c7", NULL AS "c8", NULL AS "c9", NULL AS "c10", NULL AS "c11", NULL AS "c12", NULL AS "c13"
FROM "users" AS "t0"
UNION ALL
SELECT 1 AS "jb", ROW_NUMBER() OVER (ORDER BY "t1"."id") AS "jo", NULL AS "c0", NULL AS "c1", NULL AS "c2", "t1"."id" AS "c3", "t1"."user_id" AS "c4", "t1"."title" AS "c5", "t1"."published" AS "c6", NULL AS "c7", NULL AS "c8", NULL AS "c9", NULL AS "c10", NULL AS "c11", NULL AS "c12", NULL AS "c13"
FROM "posts" AS "t1"
WHERE "t1"."user_id" IN (SELECT "t0"."id"
  FROM "users" AS "t0") AND "t1"."published" = $1
UNION ALL
SELECT 2 AS "jb", ROW_NUMBER() OVER (ORDER BY "t2"."id") AS "jo", NULL AS "c0", NULL AS "c1", NULL AS "c2", NULL AS "c3", NULL AS "c4", NULL AS "c5", NULL AS "c6", "t2"."id" AS "c7", "t2"."post_id" AS "c8", "t2"."author_id" AS "c9", "t2"."body" AS "c10", NULL AS "c11", NULL AS "c12", NULL AS "c13"
FROM "comments" AS "t2"
WHERE "t2"."post_id" IN (SELECT "t1"."id"
  FROM "posts" AS "t1"
  WHERE "t1"."user_id" IN (SELECT "t0"."id"
    FROM "users" AS "t0") AND "t1"."published" = $1)
UNION ALL
SELECT 3 AS "jb", NULL AS "jo", NULL AS "c0", NULL AS "c1", NULL AS "c2", NULL AS "c3", NULL AS "c4", NULL AS "c5", NULL AS "c6", NULL AS "c7", NULL AS "c8", NULL AS "c9", NULL AS "c10", "t3"."id" AS "c11", "t3"."name" AS "c12", "t3"."email" AS "c13"
FROM "users" AS "t3"
WHERE "t3"."id" IN (SELECT "t2"."author_id"
  FROM "comments" AS "t2"
  WHERE "t2"."post_id" IN (SELECT "t1"."id"
    FROM "posts" AS "t1"
    WHERE "t1"."user_id" IN (SELECT "t0"."id"
      FROM "users" AS "t0") AND "t1"."published" = $1))
-- arg 1: true
