"""Training the tagger: gold articles → token examples → fine-tuned model directory."""
