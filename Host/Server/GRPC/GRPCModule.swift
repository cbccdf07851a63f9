enum GRPCModule {}
