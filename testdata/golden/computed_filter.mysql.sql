SELECT 0 AS `jb`, ROW_NUMBER() OVER (ORDER BY `t0`.`id`) AS `jo`, `t0`.`id` AS `c0`, `t0`.`name` AS `c1`, `t0`.`email` AS `c2`, (SELECT COUNT(*)
  FROM `posts` AS `t2`
  WHERE `t2`.`user_id` = `t0`.`id` AND `t2`.`published` = ?) AS `c3`, NULL AS `c4`, NULL AS `c5`, NULL AS `c6`, NULL AS `c7`
FROM `users` AS `t0`
WHERE (SELECT COUNT(*) FROM `posts` AS `t2` WHERE `t2`.`user_id` = `t0`.`id` AND `t2`.`published` = ?) >= ?
UNION ALL
SELECT 1 AS `jb`, ROW_NUMBER() OVER (ORDER BY `t1`.`id`) AS `jo`, NULL AS `c0`, NULL AS `c1`, NULL AS `c2`, NULL AS `c3`, `t1`.`id` AS `c4`, `t1`.`user_id` AS `c5`, `t1`.`title` AS `c6`, `t1`.`published` AS `c7`
FROM `posts` AS `t1`
WHERE `t1`.`user_id` IN (SELECT `t0`.`id`
  FROM `users` AS `t0`
  WHERE (SELECT COUNT(*) FROM `posts` AS `t2` WHERE `t2`.`user_id` = `t0`.`id` AND `t2`.`published` = ?) >= ?)
-- arg 1: true
-- arg 2: true
-- arg 3: 1
-- arg 4: true
-- arg 5: 1
