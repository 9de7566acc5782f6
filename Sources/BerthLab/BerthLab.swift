import CReadline
enum BerthLabModule {}
