SELECT `t0`.`id` AS `c0`, `t0`.`user_id` AS `c1`, `t0`.`title` AS `c2`, `t0`.`published` AS `c3`, `t1`.`id` AS `c4`, `t1`.`name` AS `c5`, `t1`.`email` AS `c6`, `t2`.`id` AS `c7`, `t2`.`post_id` AS `c8`, `t2`.`author_id` AS `c9`, `t2`.`body` AS `c10`
FROM (SELECT `t0`.`id`, `t0`.`user_id`, `t0`.`title`, `t0`.`published`, `t1`.`name` AS `jr_o0`
  FROM `posts` AS `t0`
  LEFT JOIN `users` AS `t1` ON `t1`.`id` = `t0`.`user_id`
  ORDER BY `jr_o0` DESC, `t0`.`id`
  LIMIT ?) AS `t0`
LEFT JOIN `users` AS `t1` ON `t1`.`id` = `t0`.`user_id`
LEFT JOIN `comments` AS `t2` ON `t2`.`post_id` = `t0`.`id`
ORDER BY `t0`.`jr_o0` DESC, `t0`.`id`, `t2`.`id`
-- arg 1: 0x2
