enum ConfigModule {}
