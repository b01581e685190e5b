module github.com/langgenius/dify-plugin-daemon

go 1.26
