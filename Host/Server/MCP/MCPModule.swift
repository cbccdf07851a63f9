enum MCPModule {}
