-- statement 1: branch 0, result columns [1 2 3]
SELECT `t0`.`user_id` AS `c0`, `t0`.`project_id` AS `c1`, `t0`.`role` AS `c2`
FROM `user_projects` AS `t0`
ORDER BY `t0`.`user_id`, `t0`.`project_id`
-- statement 2: branch 1, result columns [4 5]
SELECT `t1`.`id` AS `c3`, `t1`.`name` AS `c4`
FROM `projects` AS `t1`
WHERE `t1`.`id` IN (SELECT `t0`.`project_id`
  FROM `user_projects` AS `t0`)
-- statement 3: branch 2, result columns [6 7 8]
SELECT `t2`.`id` AS `c5`, `t2`.`name` AS `c6`, `t2`.`email` AS `c7`
FROM `users` AS `t2`
WHERE `t2`.`id` IN (SELECT `t0`.`user_id`
  FROM `user_projects` AS `t0`)
