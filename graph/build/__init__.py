"""The build pipeline, its stages in order: sources → claims → provenance → assemble."""
