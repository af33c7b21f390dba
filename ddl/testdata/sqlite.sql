CREATE TABLE "comments" (
  "id" INTEGER NOT NULL,
  "commentable" TEXT NOT NULL,
  "commentable_id" BIGINT NOT NULL,
  PRIMARY KEY ("id")
);

CREATE TABLE "events" (
  "id" INTEGER NOT NULL,
  PRIMARY KEY ("id")
);

CREATE TABLE "people" (
  "id" INTEGER NOT NULL,
  "parent_id" BIGINT,
  PRIMARY KEY ("id"),
  CONSTRAINT "people_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "people" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

CREATE TABLE "projects" (
  "id" INTEGER NOT NULL,
  PRIMARY KEY ("id")
);

CREATE TABLE "tags" (
  "id" INTEGER NOT NULL,
  "name" TEXT NOT NULL,
  PRIMARY KEY ("id"),
  CONSTRAINT "tags_name_key" UNIQUE ("name")
);

CREATE TABLE "users" (
  "id" INTEGER NOT NULL,
  "email" TEXT,
  "name" TEXT NOT NULL,
  PRIMARY KEY ("id"),
  CONSTRAINT "users_email_key" UNIQUE ("email")
);

CREATE TABLE "attendances" (
  "id" INTEGER NOT NULL,
  "user_id" BIGINT,
  "event_id" BIGINT,
  "seat" INTEGER NOT NULL,
  PRIMARY KEY ("id"),
  CONSTRAINT "attendance_pair" UNIQUE ("user_id", "event_id"),
  CONSTRAINT "attendances_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "attendances_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE "invoices" (
  "id" INTEGER NOT NULL,
  "user_email" TEXT,
  PRIMARY KEY ("id"),
  CONSTRAINT "invoices_user_email_fkey" FOREIGN KEY ("user_email") REFERENCES "users" ("email") ON DELETE SET NULL ON UPDATE CASCADE
);

CREATE TABLE "posts" (
  "id" INTEGER NOT NULL,
  "user_id" BIGINT NOT NULL,
  "title" VARCHAR(255) NOT NULL,
  "score" REAL NOT NULL,
  "published" BOOLEAN NOT NULL,
  "body" BLOB,
  PRIMARY KEY ("id"),
  CONSTRAINT "posts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE "profiles" (
  "id" INTEGER NOT NULL,
  "user_id" BIGINT,
  PRIMARY KEY ("id"),
  CONSTRAINT "profiles_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE RESTRICT ON UPDATE NO ACTION
);

CREATE TABLE "user_projects" (
  "user_id" BIGINT NOT NULL,
  "project_id" BIGINT NOT NULL,
  "role" TEXT NOT NULL,
  PRIMARY KEY ("user_id", "project_id"),
  CONSTRAINT "user_projects_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "user_projects_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE "post_tags" (
  "post_id" BIGINT NOT NULL,
  "tag_id" BIGINT NOT NULL,
  "added_by" TEXT,
  PRIMARY KEY ("post_id", "tag_id"),
  CONSTRAINT "post_tags_post_id_fkey" FOREIGN KEY ("post_id") REFERENCES "posts" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "post_tags_tag_id_fkey" FOREIGN KEY ("tag_id") REFERENCES "tags" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE INDEX "comments_commentable_id_idx" ON "comments" ("commentable_id");

CREATE INDEX "people_parent_id_idx" ON "people" ("parent_id");

CREATE INDEX "attendances_event_id_idx" ON "attendances" ("event_id");

CREATE INDEX "invoices_user_email_idx" ON "invoices" ("user_email");

CREATE INDEX "posts_user_id_idx" ON "posts" ("user_id");

CREATE INDEX "profiles_user_id_idx" ON "profiles" ("user_id");

CREATE INDEX "user_projects_project_id_idx" ON "user_projects" ("project_id");

CREATE INDEX "post_tags_tag_id_idx" ON "post_tags" ("tag_id");
