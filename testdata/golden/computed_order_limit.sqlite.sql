WITH "jr_p" AS MATERIALIZED (SELECT "t0"."id", "t0"."name", "t0"."email", COALESCE("t4"."v", 0) AS "jr_o0"
  FROM "users" AS "t0"
  LEFT JOIN (SELECT "t2"."user_id" AS "k0", COUNT(*) AS "v"
    FROM "posts" AS "t2"
    WHERE "t2"."published" = ?
    GROUP BY "t2"."user_id") AS "t4" ON "t4"."k0" = "t0"."id"
  ORDER BY "jr_o0" DESC, "t0"."id"
  LIMIT ?)
SELECT 0 AS "jb", ROW_NUMBER() OVER (ORDER BY "t0"."jr_o0" DESC, "t0"."id") AS "jo", "t0"."id" AS "c0", "t0"."name" AS "c1", "t0"."email" AS "c2", "t0"."jr_o0" AS "c3", NULL AS "c4", NULL AS "c5", NULL AS "c6", NULL AS "c7", NULL AS "c8"
FROM "jr_p" AS "t0"
UNION ALL
SELECT 1 AS "jb", ROW_NUMBER() OVER (ORDER BY CASE WHEN "t1"."id" IS NOT NULL THEN (SELECT COUNT(*)
  FROM "comments" AS "t3"
  WHERE "t3"."post_id" = "t1"."id") END DESC, "t1"."id") AS "jo", NULL AS "c0", NULL AS "c1", NULL AS "c2", NULL AS "c3", "t1"."id" AS "c4", "t1"."user_id" AS "c5", "t1"."title" AS "c6", "t1"."published" AS "c7", CASE WHEN "t1"."id" IS NOT NULL THEN (SELECT COUNT(*)
  FROM "comments" AS "t3"
  WHERE "t3"."post_id" = "t1"."id") END AS "c8"
FROM "posts" AS "t1"
WHERE "t1"."user_id" IN (SELECT "jr_p"."id"
  FROM "jr_p")
-- arg 1: true
-- arg 2: 0x2
