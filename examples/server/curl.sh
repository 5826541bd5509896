curl -s http://127.0.0.1:8080/v1/chat/completions \
  -H 'Content-Type: application/json' \
  -d '{"model": "smollm2-135m-instruct-q4_1", "max_tokens": 48,
       "messages": [{"role": "user", "content": "Why is the sky blue?"}]}'
