enum BerthImagesModule {}
