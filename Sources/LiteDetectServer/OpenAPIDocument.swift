/// The OpenAPI 3.1 description of the server's routes, served at `GET /openapi.json`. The same
/// text is committed as `docs/openapi.json` (a test keeps the two equal).
enum OpenAPIDocument {
    static let json = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "LiteDetect detection server",
            "version": "1",
            "description": "`detect serve`: object detection on the CPU. Our own API under /v1/detect and /v1/models, the DeepStack / CodeProject.AI detection route, health checks and Prometheus metrics. When the server has API keys (detect serve --api-key-file, LITEDETECT_API_KEY), every route but the health checks needs one, as a Bearer token, an X-API-Key header or (detection routes) the form field api_key; without keys, none is needed."
          },
          "paths": {
            "/v1/detect": {
              "post": {
                "summary": "Detect objects in an image",
                "operationId": "detect",
                "parameters": [
                  {
                    "name": "model",
                    "in": "query",
                    "required": false,
                    "schema": {
                      "type": "string"
                    },
                    "description": "A model this server serves (GET /v1/models); default: the first"
                  },
                  {
                    "name": "score_threshold",
                    "in": "query",
                    "required": false,
                    "schema": {
                      "type": "number",
                      "minimum": 0,
                      "maximum": 1
                    },
                    "description": "Keep detections scoring above this (default: the model's operating point, else 0.5)"
                  },
                  {
                    "name": "iou_threshold",
                    "in": "query",
                    "required": false,
                    "schema": {
                      "type": "number",
                      "minimum": 0,
                      "maximum": 1
                    },
                    "description": "NMS IoU threshold (default: the model's)"
                  },
                  {
                    "name": "max_detections",
                    "in": "query",
                    "required": false,
                    "schema": {
                      "type": "integer",
                      "minimum": 1,
                      "maximum": 10000
                    },
                    "description": "At most this many detections (default: the model's)"
                  },
                  {
                    "name": "classes",
                    "in": "query",
                    "required": false,
                    "schema": {
                      "type": "string"
                    },
                    "description": "Only these classes, by label, comma-separated (e.g. person,car)"
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "image/jpeg": {
                      "schema": {
                        "type": "string",
                        "format": "binary",
                        "minLength": 1
                      }
                    },
                    "image/png": {
                      "schema": {
                        "type": "string",
                        "format": "binary",
                        "minLength": 1
                      }
                    },
                    "application/octet-stream": {
                      "schema": {
                        "type": "string",
                        "format": "binary",
                        "minLength": 1
                      }
                    },
                    "multipart/form-data": {
                      "schema": {
                        "type": "object",
                        "required": [
                          "image"
                        ],
                        "properties": {
                          "image": {
                            "type": "string",
                            "format": "binary",
                            "minLength": 1
                          },
                          "model": {
                            "type": "string"
                          },
                          "score_threshold": {
                            "type": "number",
                            "minimum": 0,
                            "maximum": 1
                          },
                          "iou_threshold": {
                            "type": "number",
                            "minimum": 0,
                            "maximum": 1
                          },
                          "max_detections": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": 10000
                          },
                          "classes": {
                            "type": "string"
                          },
                          "api_key": {
                            "type": "string",
                            "description": "The API key, as DeepStack's clients send it (when the server has keys)"
                          }
                        }
                      }
                    }
                  },
                  "description": "The image (JPEG or PNG) as the whole body, or as the multipart field `image`; multipart fields may carry the same options as the query"
                },
                "responses": {
                  "200": {
                    "description": "Detections, as `detect --format json` writes them (without `path`)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/DetectionResult"
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "A bad parameter, a class the model does not know, or a body that is not a decodable image",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "404": {
                    "description": "No such model on this server",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "413": {
                    "description": "The body is over the server's limit (--max-body-mb)",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "429": {
                    "description": "Every worker is busy and the queue is full, or past the server's --rate-limit for this address; with Retry-After",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    },
                    "headers": {
                      "Retry-After": {
                        "schema": {
                          "type": "integer"
                        },
                        "description": "Seconds to wait"
                      }
                    }
                  },
                  "503": {
                    "description": "The server is shutting down",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    },
                    "headers": {
                      "Retry-After": {
                        "schema": {
                          "type": "integer"
                        },
                        "description": "Seconds to wait"
                      }
                    }
                  },
                  "500": {
                    "description": "Detection failed",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Error"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  }
                }
              }
            },
            "/v1/models": {
              "get": {
                "summary": "The models this server serves",
                "operationId": "models",
                "responses": {
                  "200": {
                    "description": "The default model first",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "models"
                          ],
                          "properties": {
                            "models": {
                              "type": "array",
                              "items": {
                                "type": "object",
                                "required": [
                                  "name",
                                  "default",
                                  "backbone",
                                  "precision",
                                  "input",
                                  "classes"
                                ],
                                "properties": {
                                  "name": {
                                    "type": "string"
                                  },
                                  "default": {
                                    "type": "boolean"
                                  },
                                  "backbone": {
                                    "type": "string"
                                  },
                                  "precision": {
                                    "type": "string"
                                  },
                                  "input": {
                                    "type": "object",
                                    "properties": {
                                      "width": {
                                        "type": "integer"
                                      },
                                      "height": {
                                        "type": "integer"
                                      }
                                    }
                                  },
                                  "classes": {
                                    "type": "array",
                                    "items": {
                                      "type": "string"
                                    }
                                  }
                                }
                              }
                            }
                          }
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "429": {
                    "$ref": "#/components/responses/RateLimited"
                  }
                }
              }
            },
            "/v1/vision/detection": {
              "post": {
                "summary": "DeepStack / CodeProject.AI-compatible detection",
                "operationId": "deepStackDetection",
                "requestBody": {
                  "required": true,
                  "content": {
                    "multipart/form-data": {
                      "schema": {
                        "type": "object",
                        "required": [
                          "image"
                        ],
                        "properties": {
                          "image": {
                            "type": "string",
                            "format": "binary",
                            "minLength": 1
                          },
                          "min_confidence": {
                            "type": "number",
                            "minimum": 0,
                            "maximum": 1,
                            "default": 0.45
                          },
                          "api_key": {
                            "type": "string",
                            "description": "The API key, as DeepStack's clients send it (when the server has keys)"
                          }
                        }
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "DeepStack's answer",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/DeepStackResult"
                        }
                      }
                    }
                  },
                  "400": {
                    "description": "No image, not an image, or a bad min_confidence",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/DeepStackError"
                        }
                      }
                    }
                  },
                  "413": {
                    "description": "The body is over the server's limit",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/DeepStackError"
                        }
                      }
                    }
                  },
                  "429": {
                    "description": "Every worker is busy and the queue is full, or past the server's --rate-limit for this address; with Retry-After",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/DeepStackError"
                        }
                      }
                    },
                    "headers": {
                      "Retry-After": {
                        "schema": {
                          "type": "integer"
                        },
                        "description": "Seconds to wait"
                      }
                    }
                  },
                  "503": {
                    "description": "Shutting down",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/DeepStackError"
                        }
                      }
                    },
                    "headers": {
                      "Retry-After": {
                        "schema": {
                          "type": "integer"
                        },
                        "description": "Seconds to wait"
                      }
                    }
                  },
                  "401": {
                    "description": "The server has API keys and the request's key is missing or wrong",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/DeepStackError"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/health/live": {
              "get": {
                "summary": "The process answers",
                "operationId": "live",
                "responses": {
                  "200": {
                    "description": "Live"
                  }
                },
                "security": [
                  {}
                ]
              }
            },
            "/health/ready": {
              "get": {
                "summary": "Models are loaded and work is taken",
                "operationId": "ready",
                "responses": {
                  "200": {
                    "description": "Ready"
                  },
                  "503": {
                    "description": "Shutting down"
                  }
                },
                "security": [
                  {}
                ]
              }
            },
            "/metrics": {
              "get": {
                "summary": "Prometheus metrics (text exposition format 0.0.4)",
                "operationId": "metrics",
                "responses": {
                  "200": {
                    "description": "litedetect_http_requests_total{route,status}, litedetect_http_request_duration_seconds{route}, litedetect_stage_duration_seconds{stage}, litedetect_queue_depth, litedetect_in_flight",
                    "content": {
                      "text/plain": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "429": {
                    "$ref": "#/components/responses/RateLimited"
                  }
                }
              }
            },
            "/openapi.json": {
              "get": {
                "summary": "This document",
                "operationId": "openapi",
                "responses": {
                  "200": {
                    "description": "OpenAPI 3.1",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "429": {
                    "$ref": "#/components/responses/RateLimited"
                  }
                }
              }
            }
          },
          "components": {
            "schemas": {
              "Box": {
                "type": "object",
                "required": [
                  "x1",
                  "y1",
                  "x2",
                  "y2"
                ],
                "description": "Corners in pixels of the image as sent",
                "properties": {
                  "x1": {
                    "type": "number"
                  },
                  "y1": {
                    "type": "number"
                  },
                  "x2": {
                    "type": "number"
                  },
                  "y2": {
                    "type": "number"
                  }
                }
              },
              "Timing": {
                "type": "object",
                "description": "Milliseconds per stage",
                "properties": {
                  "preprocess": {
                    "type": "number"
                  },
                  "inference": {
                    "type": "number"
                  },
                  "postprocess": {
                    "type": "number"
                  }
                }
              },
              "Detection": {
                "type": "object",
                "required": [
                  "class_id",
                  "label",
                  "score",
                  "box"
                ],
                "properties": {
                  "class_id": {
                    "type": "integer",
                    "description": "The model's class id (COCO's category id for the COCO models)"
                  },
                  "label": {
                    "type": "string"
                  },
                  "score": {
                    "type": "number",
                    "minimum": 0,
                    "maximum": 1
                  },
                  "box": {
                    "$ref": "#/components/schemas/Box"
                  }
                }
              },
              "DetectionResult": {
                "type": "object",
                "required": [
                  "width",
                  "height",
                  "model",
                  "backbone",
                  "precision",
                  "timing_ms",
                  "detections"
                ],
                "properties": {
                  "width": {
                    "type": "integer"
                  },
                  "height": {
                    "type": "integer"
                  },
                  "model": {
                    "type": "string"
                  },
                  "backbone": {
                    "type": "string"
                  },
                  "precision": {
                    "type": "string",
                    "enum": [
                      "f32",
                      "bf16"
                    ]
                  },
                  "random_weights": {
                    "type": "boolean",
                    "description": "Present (true) only for a model running without trained weights"
                  },
                  "timing_ms": {
                    "$ref": "#/components/schemas/Timing"
                  },
                  "detections": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Detection"
                    }
                  }
                }
              },
              "Error": {
                "type": "object",
                "required": [
                  "error"
                ],
                "properties": {
                  "error": {
                    "type": "object",
                    "required": [
                      "code",
                      "message"
                    ],
                    "properties": {
                      "code": {
                        "type": "string",
                        "description": "bad_parameter, unknown_model, unknown_class, body_too_large, not_an_image, no_image, bad_multipart, queue_full, shutting_down, internal"
                      },
                      "message": {
                        "type": "string"
                      }
                    }
                  }
                }
              },
              "DeepStackPrediction": {
                "type": "object",
                "required": [
                  "label",
                  "confidence",
                  "x_min",
                  "y_min",
                  "x_max",
                  "y_max"
                ],
                "properties": {
                  "label": {
                    "type": "string"
                  },
                  "confidence": {
                    "type": "number"
                  },
                  "x_min": {
                    "type": "integer"
                  },
                  "y_min": {
                    "type": "integer"
                  },
                  "x_max": {
                    "type": "integer"
                  },
                  "y_max": {
                    "type": "integer"
                  }
                }
              },
              "DeepStackResult": {
                "type": "object",
                "required": [
                  "success",
                  "predictions"
                ],
                "properties": {
                  "success": {
                    "type": "boolean",
                    "const": true
                  },
                  "predictions": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/DeepStackPrediction"
                    }
                  }
                }
              },
              "DeepStackError": {
                "type": "object",
                "required": [
                  "success",
                  "error"
                ],
                "properties": {
                  "success": {
                    "type": "boolean",
                    "const": false
                  },
                  "error": {
                    "type": "string"
                  },
                  "code": {
                    "type": "integer",
                    "description": "The HTTP status"
                  }
                }
              }
            },
            "responses": {
              "RateLimited": {
                "description": "Past the server's --rate-limit for this client address (with Retry-After)",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Error"
                    }
                  }
                }
              },
              "Unauthorized": {
                "description": "The server has API keys and the request's key is missing or wrong",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Error"
                    }
                  }
                }
              }
            },
            "securitySchemes": {
              "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "Authorization: Bearer KEY"
              },
              "apiKeyHeader": {
                "type": "apiKey",
                "in": "header",
                "name": "X-API-Key"
              }
            }
          },
          "security": [
            {},
            {
              "bearer": []
            },
            {
              "apiKeyHeader": []
            }
          ]
        }
        """#
}
