"""Frontend: the members' web app, server-rendered pages calling the apps' actions."""
