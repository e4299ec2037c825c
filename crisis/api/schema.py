from drf_spectacular.openapi import AutoSchema


class ApiAutoSchema(AutoSchema):
    """Names nested serializers after their view: every view's ``InputSerializer`` would otherwise be "Input"."""

    def get_serializer_name(self, serializer, direction):
        name = super().get_serializer_name(serializer, direction)
        qualname = type(serializer).__qualname__
        if "." in qualname:
            owner = qualname.split(".")[0].removesuffix("View")
            return f"{owner}{name}"
        return name
