# Shortcuts for the README's commands.
.PHONY: serve serve-tiny test

serve:        ## the web app with the default model (downloads it on first use)
	bash Tools/run-app.sh serve

serve-tiny:   ## the web app with the offline tiny-random model (meaningless images)
	bash Tools/run-app.sh serve --model tiny-random --tiny-vae tiny-random --captioner tiny-random --width 256 --height 256

test:
	bash Tools/run-tests.sh
