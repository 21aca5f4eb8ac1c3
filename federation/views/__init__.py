"""Federation's HTTP views: actor and object documents."""
