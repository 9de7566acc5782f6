enum BerthRuntimeModule {}
