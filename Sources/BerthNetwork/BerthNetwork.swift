enum BerthNetworkModule {}
