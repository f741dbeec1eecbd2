"""What the commands print: one message form (messages) and progress on long work (progress).

Below the CLI so that the editor, build and push commands can use them too."""
