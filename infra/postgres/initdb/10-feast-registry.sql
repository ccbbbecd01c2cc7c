-- A second database for Feast's SQL registry (shared by the features and serving
-- services); the registry service owns the default database, "registry".
CREATE DATABASE feast OWNER driftline;
